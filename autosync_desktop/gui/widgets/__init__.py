"""Small widgets shared by the tabs: cards, status badges, metric cards, countdowns, busy indicators."""
