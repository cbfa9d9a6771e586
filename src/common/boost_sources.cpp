// The compiled parts of Asio (with its TLS layer) and of Beast, built once for all of medic.
// medic_core defines BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION for
// everything that links it, so each source that uses them parses and compiles only the
// templates, not the reactor, the scheduler, the socket calls and the TLS engine again.

#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
