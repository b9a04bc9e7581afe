"""Page handlers: as thin as API routes (authenticate, authorise, one service call, render)."""
