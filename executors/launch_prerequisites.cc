#include "launch_prerequisites.h"

#include <fmt/format.h>

#include <algorithm>

#include "env_file.h"
#include "fleet_contract.h"
#include "shell_command.h"

namespace mosaic {

namespace {

// Whether `program` is found as the shell would: a path as it is (a relative one from the
// agent's working directory), a name on PATH.
bool Findable(FileSystem& fs, const std::string& program, std::string_view path,
              const std::string& workdir) {
  if (program.find('/') != std::string::npos)
    return fs.IsExecutable(program.starts_with("/") ? program
                                                    : fmt::format("{}/{}", workdir, program));
  while (true) {
    size_t colon = path.find(':');
    std::string_view dir = path.substr(0, colon);
    std::string in = dir.empty() ? workdir : std::string(dir);  // an empty entry: "."
    if (fs.IsExecutable(fmt::format("{}/{}", in, program))) return true;
    if (colon == std::string_view::npos) return false;
    path.remove_prefix(colon + 1);
  }
}

}  // namespace

void ObserveLaunchPrerequisites(const DesiredState& desired, FileSystem& fs,
                                std::string_view manager_path, ObservedState& observed) {
  for (const DesiredAgent& agent : desired.agents) {
    if (agent.spec.stopped ||
        std::find(observed.operator_stopped.begin(), observed.operator_stopped.end(),
                  agent.spec.name) != observed.operator_stopped.end())
      continue;  // not started: nothing to check
    if (!fs.IsDirectory(agent.workdir)) {
      observed.missing_directories.push_back(agent.spec.name);
      continue;  // the program is looked for from there
    }
    std::string command = agent.command;
    std::string path(manager_path);
    if (auto file = observed.files.find(agent.env_path); file != observed.files.end()) {
      std::map<std::string, std::string> vars = ParseEnvFile(file->second).Variables();
      if (auto user = vars.find(std::string(kEnvUserCommand)); user != vars.end())
        command = user->second;
      if (auto own = vars.find("PATH"); own != vars.end()) path = own->second;
    }
    std::string program = ProgramOfCommand(command);
    if (!program.empty() && !Findable(fs, program, path, agent.workdir))
      observed.missing_programs[agent.spec.name] = program;
  }
}

}  // namespace mosaic
