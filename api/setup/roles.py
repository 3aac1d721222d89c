"""Who may read and change which part of the set-up (admins pass every check, see User.has_role)."""
from core.users import Role

# The catalogue, policies and appliances: the admin changes them; a manager may look.
CATALOGUE_WRITERS = (Role.ADMIN,)
CATALOGUE_READERS = (Role.ADMIN, Role.MANAGER)
# Warehouses are created by the admin; warehouse staff and managers see them.
WAREHOUSE_WRITERS = (Role.ADMIN,)
WAREHOUSE_READERS = (Role.ADMIN, Role.MANAGER, Role.WAREHOUSE)
# Parts, suppliers and restock rules are the warehouse's daily work.
STOCK_SETUP_WRITERS = (Role.ADMIN, Role.WAREHOUSE)
STOCK_SETUP_READERS = (Role.ADMIN, Role.MANAGER, Role.WAREHOUSE)
