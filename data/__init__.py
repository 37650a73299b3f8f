"""The project's data/ folder, installed as package data: parameters, speed profile, examples."""
