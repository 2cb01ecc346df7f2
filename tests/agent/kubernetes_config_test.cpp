// deploy/kubernetes: the XdpChain documents the ConfigMap carries pass our validator (read
// as the agent reads its config dir, with the .lisp sources beside them compiled), and the
// DaemonSet runs the agent with options it has and probes the endpoint it serves.
#include "agent/config_dir.h"
#include "tests/support/process.h"
#include "tests/support/xdpchain_cli.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace xdpchain::test {
namespace {

const std::string kDeploy = std::string(XDPCHAIN_SOURCE_DIR) + "/deploy/kubernetes/";

TEST(KubernetesConfigMap, XdpChainDocumentsPassOurValidator) {
  YAML::Node configmap = YAML::LoadFile(kDeploy + "configmap.yaml");
  ASSERT_EQ(configmap["kind"].as<std::string>(), "ConfigMap");
  const std::string dir = std::filesystem::temp_directory_path() / unique_name("xdpc-cm-");
  std::filesystem::create_directories(dir + "/objects");
  setenv("XDPCHAIN_OBJECT_CACHE", (dir + "/objects").c_str(), 1);
  std::vector<std::string> manifests;
  for (const auto &entry : configmap["data"]) {
    const std::string name = entry.first.as<std::string>();
    std::ofstream(dir + "/" + name) << entry.second.as<std::string>();
    if (name.ends_with(".yaml")) manifests.push_back(dir + "/" + name);
  }
  ASSERT_FALSE(manifests.empty());
  for (const auto &path : manifests) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    manifests::LoadedManifest loaded =
        agent::load_agent_manifest(text, path, "/sys/fs/bpf/xdpchain");
    EXPECT_TRUE(loaded.ok()) << manifests::format_all(loaded.diagnostics);
    EXPECT_FALSE(loaded.targets.empty()) << path;
    for (const auto &target : loaded.targets)
      EXPECT_FALSE(target.spec.members.empty()) << path;
  }
  std::filesystem::remove_all(dir);
}

TEST(KubernetesDaemonSet, RunsTheAgentWithOptionsItHasAndProbesHealthz) {
  YAML::Node daemonset = YAML::LoadFile(kDeploy + "daemonset.yaml");
  YAML::Node pod = daemonset["spec"]["template"]["spec"];
  EXPECT_TRUE(pod["hostNetwork"].as<bool>());
  YAML::Node agent = pod["containers"][0];
  EXPECT_FALSE(agent["securityContext"]["privileged"].as<bool>());
  CommandResult help = run_command({XdpchainCli::binary(), "agent", "--help"});
  ASSERT_EQ(help.exit_code, 0) << help;
  ASSERT_EQ(agent["args"][0].as<std::string>(), "agent");
  for (size_t i = 1; i < agent["args"].size(); ++i) {
    std::string option = agent["args"][i].as<std::string>();
    option = option.substr(0, option.find('='));
    EXPECT_NE(help.out.find(option), std::string::npos) << option << " is not an agent option";
  }
  EXPECT_EQ(agent["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/healthz");
  EXPECT_EQ(agent["livenessProbe"]["httpGet"]["port"].as<int>(), 9437);
  bool config_mounted = false;
  for (const auto &mount : agent["volumeMounts"])
    if (mount["mountPath"].as<std::string>() == "/etc/xdpchain") config_mounted = true;
  EXPECT_TRUE(config_mounted);
}

} // namespace
} // namespace xdpchain::test
