"""ember.random: seeded generators (filled by its owner)."""
