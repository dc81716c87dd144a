"""Prints how many of the Array API 2023.12 names ember provides: python -m ember.coverage"""
from ember._array_api import coverage

if __name__ == "__main__":
    provided, total, missing = coverage()
    print(f"Array API 2023.12 (main namespace + linalg): {provided}/{total} provided")
    if missing:
        print("missing:", " ".join(missing))
