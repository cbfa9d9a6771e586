#pragma once
// A connected byte stream of any kind (unix socket, TCP, TLS) behind one type.
//
// Beast's HTTP operations are templates over the stream: written against a variant of
// three streams they were compiled three times over, with every coroutine around them
// (the largest objects of the build). Written against ByteStream they are compiled
// once; only the stream's own read_some/write_some are compiled per kind, through a
// type-erased completion handler. Include it only where Beast is used (.cpp files).

#include <chrono>
#include <cstddef>
#include <memory>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/socket_base.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/stream_traits.hpp>

namespace medic {

/// A completion handler of void(error_code, size_t) behind one type. Boost 1.81's
/// any_completion_handler cannot go through Beast's basic_stream (its executor lacks
/// blocking.never); every handler here runs on an any_io_executor, kept as is.
class ErasedHandler {
public:
    using executor_type = boost::asio::any_io_executor;

    template <typename Handler>
    ErasedHandler(Handler handler, const executor_type& fallback)
        : m_executor(boost::asio::get_associated_executor(handler, fallback)),
          m_call(std::make_unique<Call<Handler>>(std::move(handler)))
    {
    }

    [[nodiscard]] executor_type get_executor() const noexcept { return m_executor; }

    void operator()(boost::beast::error_code error, std::size_t bytes)
    {
        auto call = std::move(m_call); // the handler may start the next operation
        call->invoke(error, bytes);
    }

private:
    struct CallBase {
        virtual ~CallBase() = default;
        virtual void invoke(boost::beast::error_code error, std::size_t bytes) = 0;
    };
    template <typename Handler>
    struct Call final : CallBase {
        explicit Call(Handler target) : handler(std::move(target)) {}
        void invoke(boost::beast::error_code error, std::size_t bytes) override { std::move(handler)(error, bytes); }
        Handler handler;
    };

    executor_type m_executor;
    std::unique_ptr<CallBase> m_call;
};

class ByteStream {
public:
    using executor_type = boost::asio::any_io_executor;
    using Handler = ErasedHandler;
    using ConstBuffers = std::vector<boost::asio::const_buffer>;

    ByteStream() = default;
    ByteStream(const ByteStream&) = delete;
    ByteStream& operator=(const ByteStream&) = delete;
    virtual ~ByteStream() = default;

    virtual executor_type get_executor() = 0;

    /// The deadline of the operations that follow; zero for none. A read or write
    /// still pending when it passes completes with beast::error::timeout.
    virtual void expires_after(std::chrono::milliseconds timeout) = 0;

    /// Shuts the connection down; pending operations complete with operation_aborted.
    virtual void close() = 0;

    /// AsyncReadStream: reads into the first non-empty buffer (a read may return fewer bytes).
    template <typename MutableBuffers, typename Token>
    auto async_read_some(const MutableBuffers& buffers, Token&& token)
    {
        boost::asio::mutable_buffer target;
        for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers);
             ++it) {
            if (boost::asio::mutable_buffer(*it).size() > 0) {
                target = *it;
                break;
            }
        }
        return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
            [this](auto handler, boost::asio::mutable_buffer buffer) {
                start_read(buffer, Handler(std::move(handler), get_executor()));
            },
            token, target);
    }

    /// AsyncWriteStream: the whole sequence in one write, so a header and a small body
    /// leave in one segment (two small writes would wait on the peer's delayed ACK).
    template <typename ConstBufferSequence, typename Token>
    auto async_write_some(const ConstBufferSequence& buffers, Token&& token)
    {
        ConstBuffers pieces;
        for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers);
             ++it) {
            boost::asio::const_buffer piece(*it);
            if (piece.size() > 0) {
                pieces.push_back(piece);
            }
        }
        return boost::asio::async_initiate<Token, void(boost::beast::error_code, std::size_t)>(
            [this](auto handler, ConstBuffers sequence) {
                start_write(std::move(sequence), Handler(std::move(handler), get_executor()));
            },
            token, std::move(pieces));
    }

private:
    virtual void start_read(boost::asio::mutable_buffer buffer, Handler handler) = 0;
    virtual void start_write(ConstBuffers buffers, Handler handler) = 0;
};

/// A ByteStream over a Beast stream with a timer in its lowest layer (beast::basic_stream,
/// beast::tcp_stream, beast::ssl_stream<beast::tcp_stream>).
template <typename Stream>
class ByteStreamOf final : public ByteStream {
public:
    template <typename... Args>
    explicit ByteStreamOf(Args&&... args) : m_stream(std::forward<Args>(args)...)
    {
    }

    Stream& stream() { return m_stream; }

    executor_type get_executor() override { return m_stream.get_executor(); }

    void expires_after(std::chrono::milliseconds timeout) override
    {
        if (timeout.count() > 0) {
            boost::beast::get_lowest_layer(m_stream).expires_after(timeout);
        } else {
            boost::beast::get_lowest_layer(m_stream).expires_never();
        }
    }

    void close() override
    {
        auto& lowest = boost::beast::get_lowest_layer(m_stream);
        boost::beast::error_code ignored;
        lowest.socket().shutdown(boost::asio::socket_base::shutdown_both, ignored);
        lowest.close();
    }

private:
    void start_read(boost::asio::mutable_buffer buffer, Handler handler) override
    {
        m_stream.async_read_some(buffer, std::move(handler));
    }

    void start_write(ConstBuffers buffers, Handler handler) override
    {
        m_stream.async_write_some(std::move(buffers), std::move(handler));
    }

    Stream m_stream;
};

} // namespace medic
