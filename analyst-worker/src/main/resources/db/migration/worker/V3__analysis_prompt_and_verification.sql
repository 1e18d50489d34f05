-- Which prompts an analysis was given (content hash of the templates) and how an error analysis verified its cause
-- (the task environment it replayed in, checks used, or why it stayed unverified).
ALTER TABLE analyses ADD COLUMN prompt_version TEXT;
ALTER TABLE analyses ADD COLUMN verification   TEXT;
