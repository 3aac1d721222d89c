"""Server-rendered pages: public (consumer, no login) and staff."""
from api.pages import public, staff, stock

BLUEPRINTS = [public.bp, staff.bp, stock.bp]
