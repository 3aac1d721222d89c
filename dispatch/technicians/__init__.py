"""The workforce: technicians, their skills, shifts and days off, and the working days they make."""
