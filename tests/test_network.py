"""The tablet URL: the laptop's address on the room's network, from made-up and real interfaces."""

from __future__ import annotations

import ipaddress
import subprocess

import pytest

from kit.serving import network
from kit.serving.network import Interface
from kit.serving.serve import choose_tablet_address
from kit.settings import load_settings


def addresses(*interfaces: Interface) -> list[str]:
    return [c.address for c in network.rank_addresses(list(interfaces))]


LOOPBACK = Interface("lo", "127.0.0.1", is_loopback=True)


def test_loopback_only_gives_no_address():
    assert addresses(LOOPBACK) == []
    assert addresses(LOOPBACK, Interface("lo", "127.0.1.1")) == []


def test_a_debian_laptop_on_wifi():
    # gethostbyname(gethostname()) answers 127.0.1.1 here; the Wi-Fi address is what counts.
    found = addresses(
        LOOPBACK,
        Interface("wlp2s0", "192.168.1.23"),
        Interface("docker0", "172.17.0.1"),
        Interface("virbr0", "192.168.122.1"),
    )
    assert found == ["192.168.1.23"]


def test_windows_laptop_with_hyper_v_vpn_and_link_local():
    found = addresses(
        Interface("Loopback Pseudo-Interface 1", "127.0.0.1", is_loopback=True),
        Interface("vEthernet (Default Switch)", "172.29.80.1"),
        Interface("vEthernet (WSL)", "172.20.0.1"),
        Interface("イーサネット", "169.254.10.20"),  # no DHCP answer: link-local
        Interface("OpenVPN TAP-Windows6", "10.8.0.6"),
        Interface("Wi-Fi", "192.168.0.12"),
        Interface("VirtualBox Host-Only Network", "192.168.56.1"),
    )
    assert found == ["192.168.0.12"]


def test_windows_mobile_hotspot_is_kept():
    # The laptop's own hotspot: the adapter Windows names "ローカル エリア接続* 10".
    found = addresses(
        Interface("ローカル エリア接続* 10", "192.168.137.1"),
        Interface("Wi-Fi", "169.254.3.4"),
    )
    assert found == ["192.168.137.1"]


def test_macos_laptop():
    found = addresses(
        Interface("lo0", "127.0.0.1", is_loopback=True),
        Interface("en0", "10.0.1.7"),
        Interface("utun3", "100.101.1.2"),  # a VPN
        Interface("bridge100", "192.168.2.1"),  # Internet Sharing: tablets may be on it
    )
    assert found == ["10.0.1.7", "192.168.2.1"] or found == ["192.168.2.1", "10.0.1.7"]
    assert set(found) == {"10.0.1.7", "192.168.2.1"}


def test_down_interfaces_ipv6_and_duplicates_are_skipped():
    found = addresses(
        Interface("eth0", "192.168.5.5", is_up=False),
        Interface("eth1", "fe80::1%eth1"),
        Interface("eth1", "fd00::2"),
        Interface("eth2", "10.1.2.3"),
        Interface("eth3", "10.1.2.3"),
        Interface("eth4", "not an address"),
    )
    assert found == ["10.1.2.3"]


def test_private_and_wireless_first_then_the_order_given():
    found = addresses(
        Interface("eth0", "203.0.113.5"),  # a public address (wired, to a school's network)
        Interface("eth1", "10.0.0.8"),
        Interface("wlan0", "192.168.10.4"),
    )
    assert found == ["192.168.10.4", "10.0.0.8", "203.0.113.5"]


@pytest.mark.parametrize(
    "name",
    ["docker0", "br-1a2b3c", "veth12ab", "vboxnet0", "vmnet8", "tailscale0", "wg0", "utun2",
     "zt7nnig26", "vEthernet (nat)", "VMware Network Adapter VMnet1", "Bluetooth ネットワーク接続"],
)  # fmt: skip
def test_virtual_adapters_are_told_by_name(name):
    assert network.is_virtual(name)


@pytest.mark.parametrize("name", ["eth0", "enp3s0", "wlp2s0", "en0", "Wi-Fi", "イーサネット 2"])
def test_real_adapters_are_not_virtual(name):
    assert not network.is_virtual(name)


def test_public_host_and_a_specific_listening_address_override():
    settings = load_settings(environ={}, public_host="kit.local")
    assert choose_tablet_address(settings, []).host == "kit.local"
    settings = load_settings(environ={}, host="192.168.3.3")
    assert choose_tablet_address(settings, []).host == "192.168.3.3"
    local = choose_tablet_address(load_settings(environ={}, host="127.0.0.1"), [])
    assert local.host == "127.0.0.1" and "タブレットからは開けません" in local.warning


def test_loopback_only_says_in_japanese_how_to_fix_it():
    chosen = choose_tablet_address(load_settings(environ={}), [])
    assert chosen.host == "127.0.0.1"
    assert "Wi-Fi" in chosen.warning and "モバイルホットスポット" in chosen.warning


def test_several_addresses_the_likeliest_in_the_qr_the_others_listed():
    candidates = network.rank_addresses(
        [Interface("eth0", "10.0.0.8"), Interface("wlan0", "192.168.10.4")]
    )
    chosen = choose_tablet_address(load_settings(environ={}), candidates)
    assert chosen.host == "192.168.10.4"
    assert [c.address for c in chosen.others] == ["10.0.0.8"]


def _global_ipv4_of_this_machine() -> list[str]:
    try:
        out = subprocess.run(
            ["ip", "-4", "-o", "addr", "show", "scope", "global"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line.split()[3].split("/")[0] for line in out.splitlines() if len(line.split()) > 3]


def test_on_this_machine_the_url_is_not_loopback_when_it_has_another_address():
    real = _global_ipv4_of_this_machine()
    if not real:
        pytest.skip("this machine has no address but loopback (ip -4 addr show scope global)")
    found = [c.address for c in network.tablet_addresses()]
    assert found, "no address found although `ip` lists " + ", ".join(real)
    assert not ipaddress.ip_address(found[0]).is_loopback
    assert found[0] in real
    chosen = choose_tablet_address(load_settings(environ={}))
    assert chosen.host in real and not chosen.warning


def test_the_laptops_own_addresses_are_not_a_tablet_for_the_per_address_cap():
    # Twelve browsers on the laptop opening the tablet URL (http://<its address>:8866/…) come
    # from the laptop's own address: they must not be capped as one tablet would be.
    from kit.serving import guard

    assert guard.is_this_laptop("127.0.0.1") and guard.is_this_laptop("::1")
    assert not guard.is_this_laptop("203.0.113.9")
    for address in _global_ipv4_of_this_machine():
        assert guard.is_this_laptop(address)
