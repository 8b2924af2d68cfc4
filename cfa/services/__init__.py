"""Business rules as plain functions: no request, no HTTP, testable directly."""
