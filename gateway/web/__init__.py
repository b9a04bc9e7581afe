"""HTTP plumbing shared by every router: sessions, authentication, problem details."""

from gateway.web.deps import ActorDep, SessionDep, container_of, require
from gateway.web.problems import install_problem_handlers

__all__ = ["ActorDep", "SessionDep", "container_of", "install_problem_handlers", "require"]
