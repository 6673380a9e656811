package org.edgesbc.policy.cluster;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.edgesbc.policy.ban.Ban;

/**
 * The default {@link SharedState}: one node, whose own tables are the whole state. Nothing is sent anywhere and
 * nothing arrives; {@link #others} is always {@link AccountShare#NONE}.
 */
public final class SingleNodeState implements SharedState {
    public static final SingleNodeState INSTANCE = new SingleNodeState();
    private static final ClusterView VIEW = new ClusterView(null, ClusterView.StoreState.NOT_CONFIGURED, List.of());

    private SingleNodeState() { }

    @Override
    public boolean sharesState() {
        return false;
    }

    @Override
    public void start(Listener listener) { }

    @Override
    public void banMade(Ban ban) { }

    @Override
    public void banLifted(InetAddress source) { }

    @Override
    public void failure(FailureKind kind, InetAddress source, Duration window, int threshold, Runnable reached) { }

    @Override
    public void accountChanged(AccountShare mine) { }

    @Override
    public AccountShare others(String account) {
        return AccountShare.NONE;
    }

    @Override
    public void listenForHolds(HoldListener listener) { }

    @Override
    public void holdPlaced(String account, Instant expires) { }

    @Override
    public void holdReleased(String account) { }

    @Override
    public void reachableAt(InetSocketAddress sip) { }

    @Override
    public void bindingsHeld(String aor, Instant expires) { }

    @Override
    public List<InetSocketAddress> holdersElsewhere(String aor) {
        return List.of();
    }

    @Override
    public ClusterView view() {
        return VIEW;
    }

    @Override
    public void close() { }
}
