// `edgepart completion bash` (hidden from --help): a bash completion script written from the
// command line's own table -- every subcommand, its options, and the values of options and
// positionals that take one of a fixed set (CLI11's IsMember, shown as "TEXT:{a,b}") -- so that
// it never falls behind the options. The build runs it into the installed
// share/bash-completion/completions/edgepart (cmake/Install.cmake).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "edgepart/util/strings.hpp"

namespace edgepart::cli {

namespace {

// The fixed values of an option ("TEXT:{csv,jsonl}=csv" -> csv jsonl), none when it takes any.
std::vector<std::string> fixed_values(const CLI::Option& opt) {
  const std::string type = opt.get_type_name();
  const size_t open = type.find('{'), close = type.find('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  std::vector<std::string> values;
  std::string value;
  for (char c : type.substr(open + 1, close - open - 1)) {
    if (c == ',') {
      values.push_back(value);
      value.clear();
    } else {
      value += c;
    }
  }
  values.push_back(value);
  return values;
}

std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* opt : app.get_options()) {
    for (const auto& s : opt->get_snames()) names.push_back("-" + s);
    for (const auto& l : opt->get_lnames()) names.push_back("--" + l);
  }
  return names;
}

// The case arms of one command: its options, and `prev`-dependent values.
std::string command_case(const CLI::App& cmd) {
  std::string values_case, positional_values;
  for (const CLI::Option* opt : cmd.get_options()) {
    const std::vector<std::string> values = fixed_values(*opt);
    if (values.empty()) continue;
    if (opt->get_positional()) {
      positional_values += " " + join(values, " ");
      continue;
    }
    std::vector<std::string> flags;
    for (const auto& s : opt->get_snames()) flags.push_back("-" + s);
    for (const auto& l : opt->get_lnames()) flags.push_back("--" + l);
    values_case += "        " + join(flags, "|") + ") values=\"" + join(values, " ") + "\" ;;\n";
  }
  std::string text = "    " + cmd.get_name() + ")\n      opts=\"" + join(option_names(cmd), " ") + "\"\n";
  if (!positional_values.empty()) text += "      positional=\"" + positional_values.substr(1) + "\"\n";
  if (!values_case.empty()) text += "      case $prev in\n" + values_case + "      esac\n";
  return text + "      ;;\n";
}

std::string bash_script(const CLI::App& root) {
  std::vector<std::string> commands;
  std::string cases;
  for (const CLI::App* sub : root.get_subcommands([](const CLI::App* a) { return !a->get_group().empty(); })) {
    commands.push_back(sub->get_name());
    cases += command_case(*sub);
  }
  return "# bash completion for edgepart, written by `edgepart completion bash` from its own options.\n"
         "_edgepart() {\n"
         "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
         "  local cmd=\"\" opts=\"\" positional=\"\" values=\"\" i\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    case ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac\n"
         "  done\n"
         "  if [[ -z $cmd ]]; then\n"
         "    COMPREPLY=($(compgen -W \"" + join(commands, " ") + " " + join(option_names(root), " ") +
         "\" -- \"$cur\"))\n"
         "    return\n"
         "  fi\n"
         "  case $cmd in\n" + cases +
         "  esac\n"
         "  if [[ -n $values ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$values\" -- \"$cur\"))\n"
         "  elif [[ $cur == -* ]]; then\n"
         "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
         "  else\n"
         "    COMPREPLY=($(compgen -W \"$positional\" -- \"$cur\") $(compgen -f -- \"$cur\"))\n"
         "  fi\n"
         "}\n"
         "complete -o filenames -F _edgepart edgepart\n";
}

}  // namespace

Command add_completion_command(CLI::App& root) {
  auto shell = std::make_shared<std::string>();
  // group "": left out of --help (a build step, not something a user types).
  CLI::App* cmd = root.add_subcommand("completion", "Write a shell completion script to stdout")->group("");
  cmd->add_option("shell", *shell, "The shell")->required()->check(CLI::IsMember({"bash"}));
  // The lambda keeps `shell` alive: CLI11 writes the parsed value into it.
  return {cmd, [&root, shell] {
            std::fputs(bash_script(root).c_str(), stdout);
            return 0;
          }};
}

}  // namespace edgepart::cli
