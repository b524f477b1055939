"""Host ports are checked with real sockets before anything starts."""

import pytest

from monlab.errors import ConfigError, PortInUse
from monlab.project import Project
from monlab.stack.ports import check_ports, port_is_free
from conftest import free_port
from stack_sockets import listening_port


@pytest.fixture
def held_port():
    with listening_port() as port:
        yield port


def test_a_listening_port_is_not_free_and_a_closed_one_is(held_port):
    assert not port_is_free("127.0.0.1", held_port)
    assert port_is_free("127.0.0.1", free_port())


def test_busy_port_names_port_and_service_and_suggests_an_offset(held_port):
    project = Project("p", port_offset=held_port - 9090)
    with pytest.raises(PortInUse) as caught:
        check_ports(project, ["prometheus"], held_by_project=set())
    line = caught.value.one_line()
    assert f"Port {held_port} on 127.0.0.1 (for prometheus) is already in use" in line
    assert "--port-offset" in line


def test_a_port_held_by_the_projects_own_container_is_fine(held_port):
    project = Project("p", port_offset=held_port - 9090)
    check_ports(project, ["prometheus"], held_by_project={held_port})


def test_only_the_services_asked_for_are_checked(held_port):
    project = Project("p", port_offset=held_port - 9090)
    asked = []
    check_ports(project, ["app"], set(), is_free=lambda bind, port: asked.append(port) or True)
    assert asked == [held_port - 9090 + 5000]


@pytest.mark.parametrize("bind, reason", [("nosuch.invalid", "Cannot listen on 'nosuch.invalid'"),
                                          ("192.0.2.1", "Cannot listen on '192.0.2.1'")])
def test_a_bind_address_not_of_this_machine_is_a_config_error_not_a_busy_port(bind, reason):
    with pytest.raises(ConfigError) as caught:
        check_ports(Project("p", bind=bind), ["app"], held_by_project=set(), is_free=lambda b, p: False)
    assert not isinstance(caught.value, PortInUse)
    assert reason in caught.value.one_line() and "127.0.0.1" in caught.value.one_line()
