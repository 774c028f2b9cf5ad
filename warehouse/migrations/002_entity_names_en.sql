-- Case names in both report languages. `name` is the Spanish name (the team's language, the
-- default of every output); `name_en` the English one, for reports asked for with --lang en.
-- Both come from the knowledge base (nlp/knowledge_base.yaml: name, name_en) at every load.
ALTER TABLE entities ADD COLUMN name_en VARCHAR;
