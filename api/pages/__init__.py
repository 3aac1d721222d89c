"""Server-rendered pages: public (consumer, no login) and staff."""
from api.pages import board, photos, public, staff, technician

BLUEPRINTS = [public.bp, staff.bp, technician.bp, board.bp, photos.bp]
