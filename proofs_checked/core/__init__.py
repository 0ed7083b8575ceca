"""The shared core of the checked claims: the declaration (claim.py, validators.py), the discovered
registry, the recorder and CheckResult, the contract tests, the report writer and what several claims'
proofs and figures share. Claim packages import from here; nothing here imports a claim."""
