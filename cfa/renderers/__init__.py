"""Renderers: data in, bytes out (PDF, iCalendar, spreadsheets)."""
