"""Page-shaping code too large for its route module: view models and template contexts built from what the
use cases in ``canrehab.services`` return. No rule and no data access of their own."""
