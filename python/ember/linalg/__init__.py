"""ember.linalg: the Array API linalg extension (filled by its owner)."""
