#include "docker/endpoint.hpp"

#include <gtest/gtest.h>

#include "docker/client.hpp"

namespace medic::docker {
namespace {

TEST(Endpoint, DefaultIsTheDockerSocket)
{
    auto endpoint = resolve_endpoint(std::nullopt, DockerEnvironment{});
    ASSERT_TRUE(endpoint);
    EXPECT_EQ(endpoint->transport, Transport::unix_socket);
    EXPECT_EQ(endpoint->socket_path, "/var/run/docker.sock");
}

TEST(Endpoint, FlagWinsOverDockerHost)
{
    DockerEnvironment environment;
    environment.docker_host = "tcp://10.0.0.1:2375";
    auto endpoint = resolve_endpoint(std::string("unix:///tmp/x.sock"), environment);
    ASSERT_TRUE(endpoint);
    EXPECT_EQ(endpoint->to_string(), "unix:///tmp/x.sock");
    auto from_environment = resolve_endpoint(std::nullopt, environment);
    ASSERT_TRUE(from_environment);
    EXPECT_EQ(from_environment->transport, Transport::tcp);
    EXPECT_EQ(from_environment->host, "10.0.0.1");
    EXPECT_EQ(from_environment->port, "2375");
}

TEST(Endpoint, TlsVerifyUsesCertPathLikeTheDockerCli)
{
    DockerEnvironment environment;
    environment.tls_verify = "1";
    environment.cert_path = "/certs";
    auto endpoint = parse_endpoint("tcp://127.0.0.1", environment);
    ASSERT_TRUE(endpoint);
    EXPECT_EQ(endpoint->transport, Transport::tls);
    EXPECT_EQ(endpoint->port, "2376"); // the TLS default port
    ASSERT_TRUE(endpoint->tls);
    EXPECT_EQ(endpoint->tls->ca_file, "/certs/ca.pem");
    EXPECT_EQ(endpoint->tls->certificate_file, "/certs/cert.pem");
    EXPECT_EQ(endpoint->tls->key_file, "/certs/key.pem");
    EXPECT_TRUE(endpoint->tls->verify);

    DockerEnvironment home_only;
    home_only.tls_verify = "1";
    home_only.home = "/home/ops";
    EXPECT_EQ(parse_endpoint("tcp://h:1", home_only)->tls->ca_file, "/home/ops/.docker/ca.pem");
}

TEST(Endpoint, Ipv6AndBadInputs)
{
    auto ipv6 = parse_endpoint("tcp://[::1]:2375", DockerEnvironment{});
    ASSERT_TRUE(ipv6);
    EXPECT_EQ(ipv6->host, "::1");
    for (const char* bad : {"", "ssh://host", "unix://relative.sock", "tcp://:2375", "tcp://host:99999",
                            "tcp://host:port", "tcp://host:1/path", "tcp://[::1"}) {
        auto parsed = parse_endpoint(bad, DockerEnvironment{});
        ASSERT_FALSE(parsed) << bad;
        EXPECT_EQ(parsed.error().kind, ErrorKind::invalid_argument);
        if (std::string_view(bad).size() > 0) {
            EXPECT_NE(parsed.error().message.find(bad), std::string::npos) << parsed.error().message;
        }
    }
}

TEST(ApiVersion, NegotiatesTheLowerVersionNumerically)
{
    EXPECT_EQ(negotiate_api_version("1.51", "1.41"), "1.41");
    EXPECT_EQ(negotiate_api_version("1.51", "1.52"), "1.51"); // Docker 29
    EXPECT_EQ(negotiate_api_version("1.51", ""), "1.51");
    EXPECT_EQ(compare_api_versions("1.9", "1.10"), -1); // not a string comparison
    EXPECT_EQ(compare_api_versions("1.44", "1.44"), 0);
    EXPECT_EQ(compare_api_versions("2.0", "1.99"), 1);
}

TEST(UrlEncode, EncodesJsonFilters)
{
    EXPECT_EQ(url_encode(R"({"label":["a=b"]})"), "%7B%22label%22%3A%5B%22a%3Db%22%5D%7D");
    EXPECT_EQ(url_encode("plain-name_1.2~"), "plain-name_1.2~");
}

} // namespace
} // namespace medic::docker
