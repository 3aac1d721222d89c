"""Administration of the catalogue and the stock set-up: JSON API and pages."""
