"""Questionnaires: the insurer risk questionnaire and its answering rules (data files)."""
