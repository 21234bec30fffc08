"""The local cloud's durable state under WEBHOOKCTL_HOME: snapshots of moto's backends plus a journal.

Each process that holds state (the server, the table process) keeps a state folder of its own:
a snapshot (moto's backends and the runtime's own state, written by a forked copy of the process
so nothing waits for it) and journals of what changed since. A change is journaled before its
answer leaves, so anything answered survives a kill -9; a restart loads the snapshot and redoes
the journals. Changes that cannot be redone exactly (they draw new ids) answer only once a
snapshot holding them is on disk.
"""
