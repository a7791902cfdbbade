"""What every layer shares: the settings and the errors a command or request can end in."""
