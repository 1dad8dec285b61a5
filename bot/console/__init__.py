"""The supervisors' console over the store, with no HTTP in it: accounts and passwords, sessions,
login throttling, the console audit, and the callback and voicemail work queues."""
