"""Run portalwatch unattended: the daemon's schedule, its jobs and the child processes they start."""
