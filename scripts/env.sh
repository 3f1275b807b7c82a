# Sourced by the scripts: every variable gets a value. Precedence: the real environment,
# then .env (never committed), then the defaults documented in .env.example.
_assurbot_load_env_file() {
  local file=$1 line key value
  [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    case "$line" in ''|'#'*) continue ;; esac
    key=${line%%=*}; value=${line#*=}
    [[ "$key" =~ ^[A-Z_][A-Z0-9_]*$ ]] || continue
    if [ -z "${!key+x}" ]; then export "$key=$value"; fi
  done < "$file"
}
_assurbot_load_env_file .env
_assurbot_load_env_file .env.example
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
