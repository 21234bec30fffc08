"""Journal and snapshot files: a torn last record is recovered, damage is reported, never dropped."""

from __future__ import annotations

import pytest

from webhookctl.localcloud.moto_bridge import state as moto_state
from webhookctl.localcloud.persistence.durable import DurableState, StateParts
from webhookctl.localcloud.persistence.journal import DamagedState, JournalWriter, frame, read_journal
from webhookctl.localcloud.persistence.store import StateDir


def test_a_torn_last_record_is_skipped_and_the_rest_kept(tmp_path):
    path = tmp_path / "journal-00000000"
    writer = JournalWriter(path)
    for n in range(3):
        writer.append(f"record {n}".encode())
    writer.close()
    with open(path, "ab") as out:
        out.write(frame(b"cut short by a kill")[:-5])
    assert list(read_journal(path)) == [b"record 0", b"record 1", b"record 2"]


def test_a_damaged_record_is_an_error_naming_the_file(tmp_path):
    path = tmp_path / "journal-00000000"
    path.write_bytes(frame(b"good") + frame(b"flipped")[:-1] + b"X" + frame(b"after"))
    with pytest.raises(DamagedState, match="journal-00000000 is damaged at byte 12") as error:
        list(read_journal(path))
    assert "--fresh" in str(error.value) and "local reset" in str(error.value)


def test_snapshot_round_trip_and_damage(tmp_path):
    folder = StateDir(tmp_path)
    folder.root.mkdir(parents=True, exist_ok=True)
    folder.write_snapshot(3, {"format": 1}, b"payload")
    snapshot = folder.read_snapshot()
    assert (snapshot.generation, snapshot.payload) == (3, b"payload")
    data = folder.snapshot_path.read_bytes()
    folder.snapshot_path.write_bytes(data[:-3])  # a file cut short is never taken for a smaller state
    with pytest.raises(DamagedState, match="incomplete"):
        folder.read_snapshot()
    folder.snapshot_path.write_bytes(b"something else entirely")
    with pytest.raises(DamagedState, match="not a saved local cloud state"):
        folder.read_snapshot()


def _counter_state(folder: StateDir, box: dict) -> DurableState:
    def redo(entry: tuple) -> None:
        box["n"] += entry[1]

    return DurableState(folder, StateParts(capture=lambda: dict(box), restore=box.update, redo=redo), journal_limit=10_000)


def test_snapshot_plus_journal_restores_every_recorded_change(tmp_path):
    box = {"n": 0}
    state = _counter_state(StateDir(tmp_path), box)
    state.open()
    for _ in range(5):
        with state.guard():
            box["n"] += 1
            state.record(("add", 1))
    assert state.snapshot(wait=True)  # a forked copy writes it
    for _ in range(3):
        with state.guard():
            box["n"] += 1
            state.record(("add", 1))
    state.folder._lock_handle.close()  # as a kill -9 would: no last snapshot

    again = {"n": 0}
    restored = _counter_state(StateDir(tmp_path), again).open()
    assert again["n"] == 8 and restored.journal_records == 3 and restored.snapshot_generation is not None


def test_fresh_forgets_and_large_values_are_kept_once_by_content(tmp_path):
    folder = StateDir(tmp_path)
    zip_bytes = bytes(range(256)) * 4096  # 1 MB, like a layer zip
    payload, blobs = moto_state.dumps_with_blobs({"a": zip_bytes, "b": zip_bytes}, folder.put_blob, 1 << 18)
    assert len(payload) < 10_000 and len(blobs) == 1
    assert moto_state.loads(payload, folder.get_blob) == {"a": zip_bytes, "b": zip_bytes}
    box = {"n": 0}
    state = _counter_state(folder, box)
    state.open()
    with state.guard():
        state.record(("add", 5))
    state.folder._lock_handle.close()
    fresh = {"n": 0}
    restored = _counter_state(StateDir(tmp_path), fresh).open(fresh=True)
    assert fresh["n"] == 0 and restored.snapshot_generation is None and not (tmp_path / "blobs").exists()


def test_backends_come_back_with_their_region_lists_and_an_unused_xray_is_left_out():
    import boto3
    from moto import mock_aws
    from moto.backends import get_backend
    from moto.core.base_backend import AccountSpecificBackend, BackendDict

    with mock_aws():
        sqs = boto3.client("sqs", region_name="eu-west-1")
        sqs.create_queue(QueueName="kept")
        get_backend("xray")["123456789012"]["us-east-1"]  # made, as a first X-Ray call makes it, and left empty
        saved = moto_state.backend_state()
        assert "xray" not in saved
        payload = moto_state.dumps(saved)
        for backends in BackendDict._instances:
            dict.clear(backends)
        regions = moto_state.loads(payload)["sqs"]["123456789012"]
        assert type(regions) is AccountSpecificBackend and "eu-west-1" in regions.regions
        assert "sqs" in moto_state.restore_backends(moto_state.loads(payload))
        assert sqs.list_queues()["QueueUrls"][0].endswith("/kept")
        assert boto3.client("sqs", region_name="ap-south-1").list_queues().get("QueueUrls") is None  # other regions still work
        get_backend("xray")["123456789012"]["us-east-1"]._telemetry_records.append("a record")
        assert "xray" in moto_state.backend_state()
