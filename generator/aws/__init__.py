"""Live AWS collection: client factory, shared response view and the check engine."""
