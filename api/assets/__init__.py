"""Staff look-up of registered appliances."""
