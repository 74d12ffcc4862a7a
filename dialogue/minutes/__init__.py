"""The official minutes (biên bản) of a session: drafted, finalized as PDF/A, verified."""
