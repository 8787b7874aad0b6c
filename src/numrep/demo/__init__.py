"""``numrep demo``: a whole remediation run on an embedded server, in a minute."""
