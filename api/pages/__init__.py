"""Server-rendered pages: public (consumer, no login) and staff."""
from api.pages import care, public, staff, stock, survey

BLUEPRINTS = [public.bp, staff.bp, stock.bp, survey.bp, care.bp]
