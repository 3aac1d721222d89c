"""Server-rendered pages: public (consumer, no login) and staff."""
from api.pages import board, photos, public, staff, stock, technician

BLUEPRINTS = [public.bp, staff.bp, stock.bp, technician.bp, board.bp, photos.bp]
