"""DaskStorage internals: the JSON codec, the scheduler's storage server and the client's backend."""
