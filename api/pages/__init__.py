"""Server-rendered pages: public (consumer, no login) and staff."""
from api.pages import board, care, photos, public, staff, stock, survey, technician

BLUEPRINTS = [public.bp, staff.bp, stock.bp, survey.bp, care.bp, technician.bp, board.bp, photos.bp]
