"""moto's backends as bytes and back: the local cloud's saved state, and the few effects it journals.

A snapshot is one pickle of every region backend of the chosen services, so objects shared
between services stay shared. moto's objects pickle as they are, except for what holds a lock,
a weak reference, a lambda default factory or an OpenSSL key; those are rebuilt on loading.

Between snapshots the hot data-plane effects (log events, queue messages) are journaled as the
effect itself rather than the request: replaying a request would draw new random ids (message
ids, receipt handles) that later requests no longer match.
"""

from __future__ import annotations

import collections
import io
import pickle
import threading
import weakref
from typing import Any, Callable, Iterable

_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))


def moto_version() -> str:
    import moto

    return str(moto.__version__)


def _new_lock(reentrant: bool) -> Any:
    return threading.RLock() if reentrant else threading.Lock()


def _new_condition() -> threading.Condition:
    return threading.Condition()


def _weak_values(items: dict[Any, Any]) -> weakref.WeakValueDictionary:
    return weakref.WeakValueDictionary(items)


def _defaultdict(factory: Any, items: dict[Any, Any]) -> collections.defaultdict:
    return collections.defaultdict(factory, items)


def _private_key(der: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    return load_der_private_key(der, password=None)


def _checked_dict(kind: type, items: dict[Any, Any], attributes: dict[str, Any]) -> Any:
    """A dict subclass that checks each item it is given (DynamoDB's LimitedSizeDict), refilled unchecked.

    Its items passed the check when they were stored; checking them again on loading re-measures
    the whole item for every attribute, which made loading 10,000 items take seconds.
    """
    rebuilt = kind.__new__(kind)
    dict.update(rebuilt, items)
    rebuilt.__dict__.update(attributes)
    return rebuilt


def _plain_factory(factory: Callable[[], Any]) -> Any:
    """A picklable stand-in for a default factory such as `lambda: {}` (moto's LambdaStorage)."""
    made = factory()
    for kind in (dict, list, set):
        if type(made) is kind and not made:
            return kind
    return None


class _StatePickler(pickle.Pickler):
    blobs: set[str] = set()  # none without a blob store

    def reducer_override(self, obj: Any) -> Any:  # noqa: C901 - one branch per kind of object
        kind = type(obj)
        if kind in _LOCK_TYPES:
            return _new_lock, (kind is _LOCK_TYPES[1],)
        if kind is threading.Condition:
            return _new_condition, ()
        if kind is weakref.WeakValueDictionary:
            return _weak_values, (dict(obj.items()),)
        if kind is collections.defaultdict and getattr(obj.default_factory, "__name__", "") == "<lambda>":
            factory = _plain_factory(obj.default_factory)
            if factory is not None:
                return _defaultdict, (factory, dict(obj))
        if kind.__name__ == "LimitedSizeDict" and isinstance(obj, dict):
            return _checked_dict, (kind, dict(obj), dict(getattr(obj, "__dict__", {})))
        if kind.__module__.startswith("cryptography.") and hasattr(obj, "private_bytes"):
            from cryptography.hazmat.primitives import serialization

            der = obj.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
            return _private_key, (der,)
        return NotImplemented


def dumps(value: Any, put_blob: Callable[[bytes], str] | None = None, blob_min: int = 1 << 18) -> bytes:
    """A pickle of `value`; with `put_blob`, large bytes and strings are stored through it by reference."""
    return dumps_with_blobs(value, put_blob, blob_min)[0]


class _BlobPickler(_StatePickler):
    """Large bytes and strings go to a blob store, the pickle names them (persistent_id).

    The pickler asks persistent_id about every object it writes, ints and strings included: without
    a blob store the plain _StatePickler is used, which pickles a table of 10,000 items in half the time.
    """

    def __init__(self, file: Any, put_blob: Callable[[bytes], str], blob_min: int):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._put_blob = put_blob
        self._blob_min = blob_min
        self.blobs = set()

    def persistent_id(self, obj: Any) -> Any:
        kind = type(obj)
        if (kind is bytes or kind is str) and len(obj) >= self._blob_min:
            digest = self._put_blob(obj if kind is bytes else obj.encode("utf-8"))
            self.blobs.add(digest)
            return (kind is str, digest)
        return None


def dumps_with_blobs(value: Any, put_blob: Callable[[bytes], str] | None, blob_min: int = 1 << 18) -> tuple[bytes, set[str]]:
    buffer = io.BytesIO()
    pickler = _StatePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL) if put_blob is None else _BlobPickler(buffer, put_blob, blob_min)
    pickler.dump(value)
    return buffer.getvalue(), set(pickler.blobs)


class _StateUnpickler(pickle.Unpickler):
    def __init__(self, file: Any, get_blob: Callable[[str], bytes] | None):
        super().__init__(file)
        self._get_blob = get_blob

    def persistent_load(self, pid: Any) -> Any:
        if self._get_blob is None:
            raise pickle.UnpicklingError("a blob reference without a blob store")
        as_text, digest = pid
        data = self._get_blob(digest)
        return data.decode("utf-8") if as_text else data


def loads(data: bytes, get_blob: Callable[[str], bytes] | None = None) -> Any:
    return _StateUnpickler(io.BytesIO(data), get_blob).load()


def backend_state(only: Iterable[str] | None = None, leave_out: Iterable[str] = ()) -> dict[str, Any]:
    """Every region backend moto has created (of the `only` services, when given), to pickle with `dumps`.

    Each account's backends stay in moto's AccountSpecificBackend, which also holds the service's
    region list: moto works that out from botocore's endpoint data, which restoring need not read again.
    """
    from moto.core.base_backend import BackendDict

    wanted = None if only is None else set(only)
    skipped = set(leave_out)
    state: dict[str, dict[str, Any]] = {}
    for backends in list(BackendDict._instances):
        service = backends.service_name
        if service in skipped or (wanted is not None and service not in wanted):
            continue
        accounts = {account: _account_copy(service, regions) for account, regions in list(dict.items(backends))}
        if any(accounts.values()):
            state[service] = accounts
    return state


def _account_copy(service: str, regions: Any) -> Any:
    """The same AccountSpecificBackend, less the region backends that hold nothing."""
    copy = type(regions).__new__(type(regions))
    copy.__dict__.update(regions.__dict__)
    dict.update(copy, {region: backend for region, backend in list(dict.items(regions)) if not _holds_nothing(service, backend)})
    return copy


def _holds_nothing(service: str, backend: Any) -> bool:
    """A backend with nothing stored in it since moto made it: not saved, so its module need not load at start.

    Only X-Ray's is looked at: importing moto.xray sets up the X-Ray SDK (a client and its service
    model), about a quarter of the server's restore, for a backend that holds no trace.
    """
    if service == "xray":
        collection = getattr(backend, "_segment_collection", None)
        return not getattr(backend, "_telemetry_records", True) and not getattr(collection, "_traces", True)
    return False


def restore_backends(state: dict[str, Any]) -> list[str]:
    """Put backends from `backend_state` (unpickled) back in moto's registry; returns the services restored."""
    from moto.backends import get_backend
    from moto.core.base_backend import AccountSpecificBackend

    restored = []
    for service, accounts in state.items():
        try:
            backends = get_backend(service)  # type: ignore[call-overload]
        except (KeyError, ModuleNotFoundError, AttributeError):
            continue  # a service this moto no longer has
        restored.append(service)
        for account, regions in accounts.items():
            if account not in dict.keys(backends) and type(regions) is AccountSpecificBackend:
                dict.__setitem__(backends, account, regions)  # with its region list
                backends._create_account_specific_backend(account)  # only registers `backends` (the account is there)
                continue
            account_backends = backends[account]  # made now, or already there; a snapshot of the first format
            for region, backend in dict.items(regions):
                dict.__setitem__(account_backends, region, backend)
    return sorted(restored)


# -- journaled effects -------------------------------------------------------------------------------
Record = Callable[[tuple], None]
_HOOKED: dict[tuple[Any, str], Any] = {}


def _hook(owner: Any, name: str, make: Callable[[Any], Any]) -> None:
    original = _HOOKED.get((owner, name), getattr(owner, name))
    _HOOKED[(owner, name)] = original
    setattr(owner, name, make(original))


def unhook_effects() -> None:
    for (owner, name), original in _HOOKED.items():
        setattr(owner, name, original)
    _HOOKED.clear()


def hook_effects(record: Record, guard: Callable[[], Any]) -> None:
    """Journal log events and queue messages as moto stores them (HTTP calls and in-process ones alike).

    `guard()` is a context manager held around each change and its record, so a snapshot never
    falls between the two.
    """
    from moto.logs.models import LogGroup, LogStream
    from moto.sqs.models import Queue, SQSBackend

    def put_log_events(original: Any) -> Any:
        def put(self: Any, log_events: list[dict[str, Any]]) -> str:
            with guard():
                token = original(self, log_events)
                record(("logs.put", self.account_id, self.region, self.log_group.name, self.log_stream_name,
                        [{"timestamp": e["timestamp"], "message": e["message"]} for e in log_events]))
            return token
        return put

    def create_log_stream(original: Any) -> Any:
        def create(self: Any, log_stream_name: str) -> None:
            with guard():
                original(self, log_stream_name)
                record(("logs.stream", self.account_id, self.region, self.name, log_stream_name))
        return create

    def send_message(original: Any) -> Any:
        def send(self: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
            with guard():
                message = original(self, queue_name, *args, **kwargs)
                record(("sqs.sent", self.account_id, self.region_name, queue_name, dumps(message)))
            return message
        return send

    def delete_message(original: Any) -> Any:
        def delete(self: Any, receipt_handle: str) -> None:
            with guard():
                ids = [m.id for m in self._messages if m.had_receipt_handle(receipt_handle)]
                original(self, receipt_handle)
                if ids:
                    record(("sqs.deleted", self.account_id, self.region, self.name, ids))
        return delete

    def purge_queue(original: Any) -> Any:
        def purge(self: Any, queue_name: str) -> None:
            with guard():
                original(self, queue_name)
                record(("sqs.purged", self.account_id, self.region_name, queue_name))
        return purge

    _hook(LogStream, "put_log_events", put_log_events)
    _hook(LogGroup, "create_log_stream", create_log_stream)
    _hook(SQSBackend, "send_message", send_message)
    _hook(Queue, "delete_message", delete_message)
    _hook(SQSBackend, "purge_queue", purge_queue)


def apply_effect(entry: tuple) -> None:
    """Redo one journaled effect on the restored backends (without journaling it again)."""
    from moto.backends import get_backend

    kind, account, region, *rest = entry
    if kind.startswith("logs."):
        group = get_backend("logs")[account][region].groups.get(rest[0])
        if group is None:
            return  # deleted since (its deletion is in the snapshot that follows)
        if kind == "logs.stream" and rest[1] not in group.streams:
            _original(type(group), "create_log_stream")(group, rest[1])
        elif kind == "logs.put" and rest[1] in group.streams:
            stream = group.streams[rest[1]]
            _original(type(stream), "put_log_events")(stream, rest[2])
        return
    queue = get_backend("sqs")[account][region].queues.get(rest[0])
    if queue is None:
        return
    if kind == "sqs.sent":
        queue.add_message(loads(rest[1]))
    elif kind == "sqs.deleted":
        gone = set(rest[1])
        kept = [m for m in queue._messages if m.id not in gone]
        queue.pending_messages.difference_update([m for m in queue._messages if m.id in gone])
        queue._messages = kept
    elif kind == "sqs.purged":
        queue._messages = []
        queue._pending_messages = set()


def _original(owner: type, name: str) -> Any:
    for klass in owner.__mro__:
        found = _HOOKED.get((klass, name))
        if found is not None:
            return found
    return getattr(owner, name)
