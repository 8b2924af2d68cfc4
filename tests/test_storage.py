"""The storage interface: files by key, nothing outside its folder reachable, a missing file said as such."""

import os

import pytest

from cfa.storage import LocalFolderStore, MissingFile, StorageError, checked_key


@pytest.fixture
def store(tmp_path):
    return LocalFolderStore(tmp_path / "store")


def test_a_file_put_is_read_listed_and_deleted_by_its_key(store):
    store.put("justificatifs/ab12.pdf", b"%PDF-1.4 one")
    store.put("imports/" + "f" * 64, b"csv")
    store.put("justificatifs/ab12.pdf", b"%PDF-1.4 two")  # a second put replaces the first
    assert store.get("justificatifs/ab12.pdf") == b"%PDF-1.4 two"
    assert store.exists("justificatifs/ab12.pdf") and not store.exists("justificatifs/autre.pdf")
    assert store.list() == ["imports/" + "f" * 64, "justificatifs/ab12.pdf"]
    assert store.list("justificatifs/") == ["justificatifs/ab12.pdf"] and store.list("rien/") == []
    assert dict(store.iter("justificatifs")) == {"justificatifs/ab12.pdf": b"%PDF-1.4 two"}
    assert store.modified("justificatifs/ab12.pdf") > 0
    assert store.delete("justificatifs/ab12.pdf") is True
    assert store.delete("justificatifs/ab12.pdf") is False  # already gone: not an error
    assert store.list() == ["imports/" + "f" * 64]


def test_a_missing_key_is_said_as_such(store):
    for read in (store.get, store.modified):
        with pytest.raises(MissingFile):
            read("justificatifs/absent.pdf")
    with pytest.raises(KeyError):  # MissingFile is a KeyError too, for callers that treat the store as a mapping
        store.get("absent")
    assert store.exists("absent") is False and store.list() == [] and list(store.iter()) == []


@pytest.mark.parametrize(
    "key",
    ["../secret", "a/../../secret", "/etc/passwd", "a\\..\\b", "", "a//b", "./a", "a/./b", ".tmp-x", "a/", "é.pdf"],
)
def test_a_key_leading_anywhere_else_is_refused(store, tmp_path, key):
    (tmp_path / "secret").write_bytes(b"not yours")
    for action in (lambda: store.get(key), lambda: store.put(key, b"x"), lambda: store.delete(key)):
        with pytest.raises(StorageError):
            action()
    assert store.exists(key) is False
    assert (tmp_path / "secret").read_bytes() == b"not yours"


def test_a_symbolic_link_in_the_folder_does_not_lead_out_of_it(store, tmp_path):
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.pdf").write_bytes(b"not yours")
    store.put("placeholder", b"")
    os.symlink(tmp_path / "outside", tmp_path / "store" / "lien")
    with pytest.raises(StorageError):
        store.get("lien/secret.pdf")
    with pytest.raises(StorageError):
        store.put("lien/new.pdf", b"x")
    assert not (tmp_path / "outside" / "new.pdf").exists()


def test_a_put_leaves_no_temporary_file_and_no_half_written_one(store, tmp_path, monkeypatch):
    store.put("a/b.pdf", b"complete")

    def broken_replace(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        store.put("a/b.pdf", b"half")
    assert store.get("a/b.pdf") == b"complete"
    assert sorted(p.name for p in (tmp_path / "store" / "a").iterdir()) == ["b.pdf"]


def test_prefixes_may_be_empty_or_end_with_a_slash():
    assert checked_key("", prefix=True) == "" and checked_key("imports/", prefix=True) == "imports"
    with pytest.raises(StorageError):
        checked_key("../", prefix=True)
