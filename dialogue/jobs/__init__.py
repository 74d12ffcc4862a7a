"""Background jobs: work that outlives a request (finalizing minutes, exports, e-mail)."""
