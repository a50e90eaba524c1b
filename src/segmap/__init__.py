"""segmap: school segregation maps of Roma pupils from school and census data."""

__version__ = "0.1.0"
