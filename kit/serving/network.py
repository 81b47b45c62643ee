"""The laptop's addresses on the room's network: which URL the tablets are given.

``gethostbyname(gethostname())`` answers 127.0.0.1 or 127.0.1.1 on many laptops and a VPN
or Hyper-V adapter on many Windows ones, and a QR code with that address sends every
tablet to itself. Here the network interfaces are read (psutil, on Linux, macOS and
Windows), and ranked:

- only IPv4 addresses of interfaces that are up;
- never loopback (127.x) or link-local (169.254.x: what a laptop gives itself when no
  Wi-Fi router answered);
- never a virtual adapter that can be told by its name: containers and virtual machines
  (docker, veth, virbr, vboxnet, vmnet, Hyper-V ``vEthernet``, WSL) and VPNs (tun, tap,
  utun, WireGuard, Tailscale, ZeroTier …) — tablets in the room cannot reach those;
- private addresses (192.168.x, 10.x, 172.16–31.x: what a room's Wi-Fi router or a
  laptop's own mobile hotspot hands out) before the rest; Wi-Fi before wired.

The interface list is a plain argument, so the ranking is tested with made-up laptops.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass


@dataclass(frozen=True)
class Interface:
    """One IPv4 address of one network interface, as the operating system lists it."""

    name: str
    address: str
    is_up: bool = True
    is_loopback: bool = False


@dataclass(frozen=True)
class Candidate:
    """An address tablets may use, and why it was ranked where it is."""

    address: str
    interface: str
    private: bool
    wireless: bool


# Adapter names of containers, virtual machines and VPNs (Linux, macOS and Windows names).
VIRTUAL_NAME = re.compile(
    r"^(docker|br-|veth|virbr|vboxnet|vmnet|vnic|lxcbr|lxdbr|cni|flannel|cali|podman|"
    r"tun|tap|utun|wg|tailscale|zt|ipsec|gif|stf|awdl|llw|anpi)"
    r"|vethernet|hyper-v|virtualbox|vmware|wsl|loopback|pseudo|tunnel|"
    r"vpn|tailscale|zerotier|wireguard|openvpn|tap-windows|wintun|fortinet|cisco anyconnect|"
    r"bluetooth|npcap",
    re.IGNORECASE,
)
WIRELESS_NAME = re.compile(
    r"^(wl|wlan|wifi|ath|ra\d)|wi-fi|wireless|無線|ワイヤレス", re.IGNORECASE
)
PRIVATE_NETWORKS = tuple(
    ipaddress.ip_network(n) for n in ("192.168.0.0/16", "10.0.0.0/8", "172.16.0.0/12")
)


def is_virtual(name: str) -> bool:
    """True for adapters that tablets in the room cannot reach (by their name)."""
    return bool(VIRTUAL_NAME.search(name.strip()))


def rank_addresses(interfaces: list[Interface]) -> list[Candidate]:
    """The addresses tablets could use, likeliest first (see the module's docstring)."""
    found: list[tuple[tuple, Candidate]] = []
    seen: set[str] = set()
    for order, interface in enumerate(interfaces):
        try:
            address = ipaddress.ip_address(interface.address.split("%")[0])
        except ValueError:
            continue
        if (
            address.version != 4
            or not interface.is_up
            or interface.is_loopback
            or address.is_loopback
            or address.is_link_local
            or address.is_unspecified
            or address.is_multicast
            or is_virtual(interface.name)
            or str(address) in seen
        ):
            continue
        seen.add(str(address))
        private = any(address in network for network in PRIVATE_NETWORKS)
        wireless = bool(WIRELESS_NAME.search(interface.name))
        candidate = Candidate(str(address), interface.name, private, wireless)
        found.append(((not private, not wireless, order), candidate))
    return [candidate for _key, candidate in sorted(found, key=lambda item: item[0])]


def system_interfaces() -> list[Interface]:
    """Every IPv4 address of this machine's interfaces, with their up/loopback state."""
    import psutil

    try:
        stats = psutil.net_if_stats()
        addresses = psutil.net_if_addrs()
    except (OSError, RuntimeError):
        return []
    result = []
    for name, entries in addresses.items():
        stat = stats.get(name)
        flags = getattr(stat, "flags", "") or ""
        for entry in entries:
            if entry.family != socket.AF_INET:
                continue
            result.append(
                Interface(
                    name=name,
                    address=entry.address,
                    is_up=bool(stat.isup) if stat is not None else True,
                    is_loopback="loopback" in flags or entry.address.startswith("127."),
                )
            )
    return result


def tablet_addresses(interfaces: list[Interface] | None = None) -> list[Candidate]:
    """The ranked addresses of this machine (or of ``interfaces``, for tests)."""
    return rank_addresses(system_interfaces() if interfaces is None else interfaces)


def is_loopback_host(host: str) -> bool:
    if host.strip().lower() in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
