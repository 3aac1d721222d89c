"""The catalogue: product models and their parts, warranty (三包) policies, customers and their appliances."""
