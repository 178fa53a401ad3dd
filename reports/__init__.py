"""Reports: the weekly digest (HTML and text), change diffs, mail delivery, the archive folder and its feed."""
