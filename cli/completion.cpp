#include "cli/completion.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>

namespace dfu::cli {

namespace {

struct OptionInfo {
    std::vector<std::string> names;  // "--baud", "-q", ...
    std::vector<std::string> longs;  // without dashes: "baud"
    std::vector<std::string> shorts;  // "q"
    bool takes_value = false;
    std::string description;
};

struct CommandInfo {
    std::string name;
    std::string description;
    std::vector<OptionInfo> options;
};

std::vector<OptionInfo> options_of(const CLI::App& app) {
    std::vector<OptionInfo> out;
    for (const CLI::Option* o : app.get_options()) {
        if (o->get_lnames().empty() && o->get_snames().empty()) continue;  // FILE, COMMAND: positional
        OptionInfo info;
        for (const auto& l : o->get_lnames()) {
            info.names.push_back("--" + l);
            info.longs.push_back(l);
        }
        for (const auto& s : o->get_snames()) {
            info.names.push_back("-" + s);
            info.shorts.push_back(s);
        }
        info.takes_value = o->get_type_size_max() > 0 && o->get_expected_max() > 0;
        info.description = o->get_description();
        out.push_back(std::move(info));
    }
    return out;
}

std::vector<CommandInfo> commands_of(const CLI::App& app) {
    std::vector<CommandInfo> out;
    for (const CLI::App* sub : app.get_subcommands({}))
        out.push_back({sub->get_name(), sub->get_description(), options_of(*sub)});
    return out;
}

// The first sentence of a description, quotes and newlines taken out, for zsh and fish.
std::string short_text(const std::string& description) {
    std::string s = description.substr(0, description.find_first_of(".;\n("));
    for (char& c : s)
        if (c == '\'' || c == '"' || c == '\n' || c == '[' || c == ']' || c == ':' || c == '`' || c == '$') c = ' ';
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

std::string identifier(const std::string& program) {
    std::string id = program;
    for (char& c : id)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return id;
}

std::string bash(const CLI::App& app, const std::string& program) {
    const auto commands = commands_of(app);
    std::vector<std::string> command_names, valued;
    for (const auto& c : commands) command_names.push_back(c.name);
    std::string cases;
    auto add_valued = [&](const std::vector<OptionInfo>& options) {
        for (const auto& o : options)
            if (o.takes_value)
                for (const auto& n : o.names)
                    if (std::find(valued.begin(), valued.end(), n) == valued.end()) valued.push_back(n);
    };
    std::vector<std::string> top;
    for (const auto& o : options_of(app)) top.insert(top.end(), o.names.begin(), o.names.end());
    add_valued(options_of(app));
    for (const auto& c : commands) {
        std::vector<std::string> names;
        for (const auto& o : c.options) names.insert(names.end(), o.names.begin(), o.names.end());
        add_valued(c.options);
        cases += fmt::format("        {}) opts=\"{}\" ;;\n", c.name, fmt::join(names, " "));
    }
    const std::string f = "_" + identifier(program);
    return fmt::format(R"(# bash completion for {program}, written by `{program} completion bash`.
{f}() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    local command="" i opts
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${{COMP_WORDS[i]}}" in
            {alternatives}) command="${{COMP_WORDS[i]}}"; break ;;
        esac
    done
    case "$prev" in
        {valued}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
    esac
    case "$command" in
{cases}        "") COMPREPLY=($(compgen -W "{commands} {top}" -- "$cur")); return 0 ;;
    esac
    if [[ "$command" == completion && "$cur" != -* ]]; then
        COMPREPLY=($(compgen -W "{shells}" -- "$cur"))
    elif [[ "$command" == help && "$cur" != -* ]]; then
        COMPREPLY=($(compgen -W "{commands}" -- "$cur"))
    elif [[ "$cur" == -* ]]; then
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}}
complete -o filenames -o bashdefault -F {f} {program}
)",
                       fmt::arg("program", program), fmt::arg("f", f),
                       fmt::arg("alternatives", fmt::join(command_names, "|")),
                       fmt::arg("valued", fmt::join(valued, "|")),
                       fmt::arg("cases", cases), fmt::arg("commands", fmt::join(command_names, " ")),
                       fmt::arg("top", fmt::join(top, " ")), fmt::arg("shells", fmt::join(completion_shells(), " ")));
}

std::string zsh_spec(const OptionInfo& o) {
    // _arguments: '(--uart)--uart=[Serial port]:value:_files', or a flag without the value part.
    const std::string text = short_text(o.description);
    std::string out;
    for (const auto& n : o.names)
        out += fmt::format(" '{}[{}]{}'", n, text, o.takes_value ? ":value:_files" : "");
    return out;
}

std::string zsh(const CLI::App& app, const std::string& program) {
    const auto commands = commands_of(app);
    const std::string f = "_" + identifier(program);
    std::string described, cases, top;
    std::vector<std::string> names;
    for (const auto& c : commands) names.push_back(c.name);
    for (const auto& c : commands) described += fmt::format(" '{}:{}'", c.name, short_text(c.description));
    for (const auto& o : options_of(app)) top += zsh_spec(o);
    for (const auto& c : commands) {
        std::string specs;
        for (const auto& o : c.options) specs += zsh_spec(o);
        const std::string rest = c.name == "completion" ? fmt::format("'1:shell:({})'", fmt::join(completion_shells(), " "))
                                 : c.name == "help"     ? fmt::format("'1:command:({})'", fmt::join(names, " "))
                                                        : std::string("'*:file:_files'");
        cases += fmt::format("        {}) _arguments -s{} {} ;;\n", c.name, specs, rest);
    }
    return fmt::format(R"(#compdef {program}
# zsh completion for {program}, written by `{program} completion zsh`.
{f}() {{
    local -a commands
    commands=({described})
    if (( CURRENT == 2 )) || [[ ${{words[2]}} == -* && ${{words[CURRENT]}} == -* && CURRENT -le 3 ]]; then
        _arguments -s{top} '*::command:->command'
        _describe -t commands '{program} command' commands
        return
    fi
    local command=${{words[2]}}
    shift words
    (( CURRENT-- ))
    case $command in
{cases}    esac
}}
compdef {f} {program}
)",
                       fmt::arg("program", program), fmt::arg("f", f), fmt::arg("described", described),
                       fmt::arg("top", top), fmt::arg("cases", cases));
}

std::string fish_option(const std::string& program, const std::string& condition, const OptionInfo& o) {
    std::string line = fmt::format("complete -c {} -n '{}'", program, condition);
    for (const auto& l : o.longs) line += " -l " + l;
    for (const auto& s : o.shorts) line += " -s " + s;
    if (o.takes_value) line += " -r -F";
    return line + fmt::format(" -d '{}'\n", short_text(o.description));
}

std::string fish(const CLI::App& app, const std::string& program) {
    const auto commands = commands_of(app);
    std::vector<std::string> names;
    for (const auto& c : commands) names.push_back(c.name);
    std::string out = fmt::format("# fish completion for {0}, written by `{0} completion fish`.\ncomplete -c {0} -f\n",
                                  program);
    const std::string first = "__fish_use_subcommand";
    for (const auto& c : commands)
        out += fmt::format("complete -c {} -n '{}' -a {} -d '{}'\n", program, first, c.name, short_text(c.description));
    for (const auto& o : options_of(app)) out += fish_option(program, first, o);
    for (const auto& c : commands) {
        const std::string cond = "__fish_seen_subcommand_from " + c.name;
        if (c.name == "completion")
            out += fmt::format("complete -c {} -n '{}' -a '{}'\n", program, cond, fmt::join(completion_shells(), " "));
        else if (c.name == "help")
            out += fmt::format("complete -c {} -n '{}' -a '{}'\n", program, cond, fmt::join(names, " "));
        else if (c.name != "list")
            out += fmt::format("complete -c {} -n '{}' -F\n", program, cond);
        for (const auto& o : c.options) out += fish_option(program, cond, o);
    }
    return out;
}

}  // namespace

const std::vector<std::string>& completion_shells() {
    static const std::vector<std::string> shells{"bash", "zsh", "fish"};
    return shells;
}

std::string completion_script(const CLI::App& app, const std::string& program, const std::string& shell) {
    if (shell == "zsh") return zsh(app, program);
    if (shell == "fish") return fish(app, program);
    return bash(app, program);
}

}  // namespace dfu::cli
