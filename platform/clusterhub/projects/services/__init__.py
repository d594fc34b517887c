"""Operations on selection rounds and joint project dossiers, by sub-domain; callers import the sub-module
they need:

- ``selection_rounds``: the federal selection's rounds and criteria (shared by every center);
- ``dossier``: the project, its cost estimate, plan and target indicators, and the round's rule checks
  (``rules``, pure);
- ``participants``: the participating enterprises and their products, who follows which project, and
  the projects in an enterprise's history;
- ``workflow``: the statuses a project moves through;
- ``documents``: the dossier's files and who may download them.

Services validate and flush; the request's unit of work commits.
"""
