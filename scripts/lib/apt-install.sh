# Sourced by scripts/install-deps.sh and the benchmarks' dependency scripts:
# apt_install PACKAGE... installs those of the Debian packages not yet installed (with sudo when
# not root), quietly, and says which.
apt_install() {
  local missing=() package sudo=""
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  ((${#missing[@]})) || return 0
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
