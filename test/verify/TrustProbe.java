// The JVM oracle for `midtrust verify` tests: a real Java TLS client, run as a single-file source
// program (`java TrustProbe.java cases.tsv`), that connects to each case's endpoint with the JVM's
// DEFAULT trust manager over the case's store, set the standard way:
// javax.net.ssl.trustStore / trustStoreType / trustStorePassword. SSLContext.init(null, null, null)
// makes the default TrustManagerFactory read those properties again for every case.
//
// `java TrustProbe.java -` reads the cases from stdin instead and answers each line as it comes
// (one JVM judging a long differential run while the test starts and stops servers).
//
// cases.tsv: id <TAB> mode (tls|https|starttls) <TAB> host <TAB> port <TAB> store <TAB> type <TAB> password env var (or -)
// Output, one line per case: "<id> TRUSTED" | "<id> UNTRUSTED <exception>" | "<id> ERROR <exception>".
import java.io.*;
import java.net.*;
import java.nio.file.*;
import java.security.cert.CertificateException;
import java.util.*;
import javax.naming.Context;
import javax.naming.ldap.*;
import javax.net.ssl.*;

public class TrustProbe {
    public static void main(String[] args) throws Exception {
        BufferedReader in = args[0].equals("-") ? new BufferedReader(new InputStreamReader(System.in)) : Files.newBufferedReader(Path.of(args[0]));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.isBlank()) continue;
            String[] f = line.split("\t");
            String id = f[0];
            try {
                System.setProperty("javax.net.ssl.trustStore", f[4]);
                System.setProperty("javax.net.ssl.trustStoreType", f[5]);
                if (f[6].equals("-")) System.clearProperty("javax.net.ssl.trustStorePassword");
                else System.setProperty("javax.net.ssl.trustStorePassword", System.getenv(f[6]));
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, null, null);
                connect(f[1], f[2], Integer.parseInt(f[3]), ctx.getSocketFactory());
                System.out.println(id + " TRUSTED");
            } catch (Exception e) {
                System.out.println(id + (isTrustFailure(e) ? " UNTRUSTED " : " ERROR ") + describe(e));
            }
            System.out.flush();
        }
    }

    static void connect(String mode, String host, int port, SSLSocketFactory factory) throws Exception {
        switch (mode) {
            case "tls" -> {
                try (SSLSocket s = (SSLSocket) factory.createSocket()) {
                    s.connect(new InetSocketAddress(host, port), 5000);
                    s.setSoTimeout(5000);
                    s.startHandshake();
                }
            }
            case "https" -> {
                HttpsURLConnection c = (HttpsURLConnection) URI.create("https://" + host + ":" + port + "/").toURL().openConnection();
                c.setSSLSocketFactory(factory);
                c.setConnectTimeout(5000);
                c.setReadTimeout(5000);
                c.getResponseCode();
                c.disconnect();
            }
            case "starttls" -> {
                Hashtable<String, String> env = new Hashtable<>();
                env.put(Context.INITIAL_CONTEXT_FACTORY, "com.sun.jndi.ldap.LdapCtxFactory");
                env.put(Context.PROVIDER_URL, "ldap://" + host + ":" + port);
                env.put("com.sun.jndi.ldap.connect.timeout", "5000");
                env.put("com.sun.jndi.ldap.read.timeout", "5000");
                LdapContext ldap = new InitialLdapContext(env, null);
                try {
                    StartTlsResponse tls = (StartTlsResponse) ldap.extendedOperation(new StartTlsRequest());
                    tls.negotiate(factory);
                    tls.close();
                } finally {
                    ldap.close();
                }
            }
            default -> throw new IllegalArgumentException("mode " + mode);
        }
    }

    /** A refusal by the trust manager or the host-name check, as opposed to a network or protocol error. */
    static boolean isTrustFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateException || t instanceof SSLPeerUnverifiedException) return true;
            if (t instanceof SSLHandshakeException && String.valueOf(t.getMessage()).matches("(?s).*(PKIX|certificate|Certificate|subject alternative|No name matching).*")) return true;
        }
        return false;
    }

    static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        return (e.getClass().getSimpleName() + ": " + e.getMessage() + (root != e ? " <- " + root.getClass().getSimpleName() + ": " + root.getMessage() : "")).replaceAll("\\s+", " ");
    }
}
