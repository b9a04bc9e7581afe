"""tendering."""
